import { IsNotEmpty, IsString } from 'class-validator';
import { CheckedSetting } from './checked-setting.decorator.js';
import { loadSettings, SettingsError } from './load-settings.js';
import { Setting } from './setting.decorator.js';

class CheckedSettings {
  @Setting({ env: 'TEST_RULES_FILE', flag: 'rules-file', description: 'A file the application checks.' })
  @IsString()
  @CheckedSetting()
  rulesFile = '';

  @Setting({ env: 'TEST_NAME', flag: 'name', description: 'Declared after the checked one.' })
  @IsString()
  @IsNotEmpty()
  name = 'test';
}

const noBrokenFiles = {
  rulesFile: (value: unknown) => (value === 'broken' ? 'is not a valid rules file: line 3' : undefined),
};

describe('CheckedSetting', () => {
  it('passes any value when loadSettings is given no check for it', () => {
    expect(loadSettings(CheckedSettings, { argv: ['--rules-file', 'broken'], env: {} }).rulesFile).toBe('broken');
  });

  it('passes a value its check finds fine', () => {
    expect(loadSettings(CheckedSettings, { argv: ['--rules-file', 'good'], env: {} }, noBrokenFiles).rulesFile).toBe(
      'good',
    );
  });

  it('refuses a value its check finds a problem with, naming the setting, in its place among the rules', () => {
    const load = (argv: string[]) => () => loadSettings(CheckedSettings, { argv, env: {} }, noBrokenFiles);

    expect(load(['--rules-file', 'broken'])).toThrow(SettingsError);
    expect(load(['--rules-file', 'broken'])).toThrow(
      'invalid setting TEST_RULES_FILE (--rules-file): "broken" is not a valid rules file: line 3',
    );
    // Declared first, so reported first, as any rule of the class would be.
    expect(load(['--rules-file', 'broken', '--name', ''])).toThrow('TEST_RULES_FILE (--rules-file)');
  });
});
