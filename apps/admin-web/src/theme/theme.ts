// Light or dark: the system's choice (prefers-color-scheme) unless the user
// picked one with the switch, kept in localStorage. The choice is applied as
// <html data-theme="light|dark">; dark.css reads it.

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'downstream-admin-theme';

export function storedTheme(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system'; // storage refused (privacy settings): follow the system
  }
}

export function applyTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // not kept: it still applies to this page
  }
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}
