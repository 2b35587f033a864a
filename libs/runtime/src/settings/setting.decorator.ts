import 'reflect-metadata';

/** How one setting is given and what it is for; read by the loader and the docs table. */
export interface SettingSpec {
  /** Environment variable, e.g. GATEWAY_GRPC_PORT. */
  env: string;
  /** Command-line flag without dashes, e.g. grpc-port for --grpc-port. */
  flag: string;
  /** One sentence for the settings table (docs/configuration.md) and --help. */
  description: string;
}

export interface DeclaredSetting extends SettingSpec {
  property: string;
}

const SETTINGS = Symbol('settings');

/**
 * Declares a property of a settings class as a setting. Its default is the
 * property initializer; its rules are the class-validator decorators beside it.
 */
export function Setting(spec: SettingSpec): PropertyDecorator {
  return (target, property) => {
    const declared: DeclaredSetting[] = Reflect.getOwnMetadata(SETTINGS, target) ?? [
      ...(Reflect.getMetadata(SETTINGS, target) ?? []),
    ];
    declared.push({ ...spec, property: String(property) });
    Reflect.defineMetadata(SETTINGS, declared, target);
  };
}

/** The settings declared on a settings class, in declaration order. */
export function declaredSettings(settingsClass: new () => object): DeclaredSetting[] {
  return Reflect.getMetadata(SETTINGS, settingsClass.prototype) ?? [];
}
