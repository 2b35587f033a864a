import { Controller, Get, Redirect } from '@nestjs/common';
import { Public } from '@app/runtime';
import { ADMIN_PAGE_PATH } from './admin-page-files.js';

/** People who open the gateway's bare address land on the admin page. */
@Controller()
export class AdminPageController {
  @Get()
  @Public('a redirect to the admin page, which asks for the token itself')
  @Redirect(`${ADMIN_PAGE_PATH}/`, 302)
  root(): void {}
}
