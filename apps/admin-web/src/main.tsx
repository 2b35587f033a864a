import { render } from 'preact';
import { App } from './app.js';
import './styles.css';
import './operator.css';
import './theme/dark.css';
import { applyTheme, storedTheme } from './theme/theme.js';

applyTheme(storedTheme());

render(<App />, document.getElementById('app')!);
