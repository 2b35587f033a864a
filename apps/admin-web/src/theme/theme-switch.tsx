import { useState } from 'preact/hooks';
import { applyTheme, storedTheme, type ThemeChoice } from './theme.js';

const CHOICES: { value: ThemeChoice; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

/** Light, dark, or as the system says. */
export function ThemeSwitch() {
  const [choice, setChoice] = useState(storedTheme());
  return (
    <label class="theme-switch">
      Theme
      <select
        value={choice}
        onChange={(event) => {
          const next = event.currentTarget.value as ThemeChoice;
          applyTheme(next);
          setChoice(next);
        }}
      >
        {CHOICES.map(({ value, label }) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </label>
  );
}
