import { render } from 'preact';
import { App } from './app.js';
import './styles/base.css';
import './styles/clusters.css';
import './styles/notifications.css';
import './styles/bootstrap-tokens.css';
import './styles/alertmanager.css';
import './operator.css';
import './theme/dark.css';
import { applyTheme, storedTheme } from './theme/theme.js';

applyTheme(storedTheme());

render(<App />, document.getElementById('app')!);
