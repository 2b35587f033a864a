import { IsUrl, ValidateBy, type ValidationOptions } from 'class-validator';
import { DeliveryTargetConfig } from '../delivery/delivery-target-config.js';

export { RECEIVER_STARTS, type ReceiverStart } from '../delivery/delivery-target-config.js';

/** RFC 9110 token: what an HTTP header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** No CR, LF or NUL: they would split or end the header. */
const HEADER_VALUE = /^[^\r\n\0]*$/;

function IsHeaderMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHeaderMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(
            ([name, text]) => HEADER_NAME.test(name) && typeof text === 'string' && HEADER_VALUE.test(text),
          ),
      },
    },
    options,
  );
}

/** One webhook receiver as declared in the receivers file. */
export class ReceiverConfig extends DeliveryTargetConfig {
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_valid_protocol: true, require_tld: false },
    { message: 'must be an http:// or https:// URL' },
  )
  url!: string;

  /** Extra request headers, e.g. Authorization. Never shown by the API. */
  @IsHeaderMap({ message: 'must map header names to string values (no line breaks)' })
  headers: Record<string, string> = {};
}
