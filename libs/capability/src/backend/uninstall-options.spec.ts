import { InvalidArgumentError } from '@app/runtime';
import { parseUninstallOptions } from './uninstall-options.js';

describe('parseUninstallOptions', () => {
  it('defaults to keeping data and no delay', () => {
    expect(parseUninstallOptions(undefined)).toEqual({ deleteStoredData: false, initialDelayMs: 0 });
    expect(parseUninstallOptions({})).toEqual({ deleteStoredData: false, initialDelayMs: 0 });
  });

  it.each([
    [{ initialDelay: '30s' }, 30_000],
    [{ initialDelay: '2m' }, 120_000],
    [{ initialDelay: 1.5 }, 1_500],
    [{ initialDelay: 0 }, 0],
  ])('reads initialDelay %j', (options, ms) => {
    expect(parseUninstallOptions(options).initialDelayMs).toBe(ms);
  });

  it('reads deleteStoredData', () => {
    expect(parseUninstallOptions({ deleteStoredData: true }).deleteStoredData).toBe(true);
  });

  it.each([
    [{ initialDelay: '30 seconds' }, 'options.initialDelay'],
    [{ initialDelay: -1 }, 'options.initialDelay'],
    [{ initialDelay: true }, 'options.initialDelay'],
    [{ initialDelay: 1e300 }, 'options.initialDelay'],
    [{ initialDelay: '3651d' }, 'options.initialDelay'],
    [{ deleteStoredData: 'yes' }, 'options.deleteStoredData'],
    [{ deleteStoreData: true }, 'options.deleteStoreData'],
  ])('refuses %j naming %s', (options, field) => {
    expect(() => parseUninstallOptions(options)).toThrow(InvalidArgumentError);
    expect(() => parseUninstallOptions(options)).toThrow(new RegExp(`^${field.replace('.', '\\.')}: `));
  });
});
