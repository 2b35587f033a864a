import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { ADMIN_PAGE_DIR, ADMIN_PAGE_PATH, adminPageBuilt, setAdminPageHeaders } from './admin-page-files.js';
import { AdminPageController } from './admin-page.controller.js';

/**
 * Serves the admin web page (apps/admin-web, built by `npm run build`) at
 * /admin/; any path under it that is not a file answers index.html, so
 * reloading a view works. The page calls the same HTTP API as curl does.
 */
@Module({
  imports: [
    ServeStaticModule.forRoot({
      rootPath: ADMIN_PAGE_DIR,
      serveRoot: ADMIN_PAGE_PATH,
      serveStaticOptions: { setHeaders: setAdminPageHeaders, index: 'index.html' },
    }),
  ],
  controllers: [AdminPageController],
})
export class AdminPageModule implements OnModuleInit {
  private readonly logger = new Logger(AdminPageModule.name);

  onModuleInit(): void {
    // The API works without the page; say why /admin/ is a 404 rather than stop.
    if (!adminPageBuilt()) {
      this.logger.warn(
        { event: 'admin-page-missing', dir: ADMIN_PAGE_DIR },
        `the admin page is not built (${ADMIN_PAGE_DIR} has no index.html): run \`npm run build\``,
      );
    }
  }
}
