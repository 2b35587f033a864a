import { useLayoutEffect, useState } from 'preact/hooks';
import type { CreatedTokenView } from '@app/admin-api';
import { ApiError, apiPost } from '../api/gateway-api.js';
import { fieldErrorOf, tokenRequest, type FieldError, type LabelRow } from './token-form.js';

interface Props {
  onCreated(created: CreatedTokenView): void;
}

let nextRowId = 0;
const emptyRow = (): LabelRow => ({ id: nextRowId++, key: '', value: '' });

/**
 * Creates a bootstrap token: lifetime, number of joins, and the labels every
 * cluster that joins with it gets. A refusal is shown at the top and next to
 * the field it names.
 */
export function CreateTokenForm({ onCreated }: Props) {
  const [ttl, setTtl] = useState('1h');
  const [maxUsages, setMaxUsages] = useState('1');
  const [rows, setRows] = useState<LabelRow[]>(() => [emptyRow()]);
  const [error, setError] = useState<FieldError | undefined>();
  const [busy, setBusy] = useState(false);
  /** The row whose key input gets the focus once rendered (after "Add label"). */
  const [focusRow, setFocusRow] = useState<number | undefined>();

  useLayoutEffect(() => {
    if (focusRow === undefined) return;
    document.getElementById(`label-key-${focusRow}`)?.focus();
    setFocusRow(undefined);
  }, [focusRow]);

  // After a refusal the focus goes to the field it names, so keyboard and screen reader users land on it.
  useLayoutEffect(() => {
    if (!error) return;
    const target =
      error.field === 'ttl'
        ? 'token-ttl'
        : error.field === 'maxUsages'
          ? 'token-max-usages'
          : error.field === 'labels' && error.row !== undefined
            ? `label-key-${error.row}`
            : undefined;
    if (target) document.getElementById(target)?.focus();
  }, [error]);

  const setRow = (id: number, change: Partial<LabelRow>) =>
    setRows((previous) => previous.map((row) => (row.id === id ? { ...row, ...change } : row)));
  const addRow = () => {
    const row = emptyRow();
    setRows((previous) => [...previous, row]);
    setFocusRow(row.id);
  };
  const removeRow = (index: number) => {
    setRows((previous) => previous.filter((_, at) => at !== index));
    // The focus goes to the row that took its place, or the one before, or "Add label".
    const next = rows[index + 1] ?? rows[index - 1];
    if (next) setFocusRow(next.id);
    else document.getElementById('add-label')?.focus();
  };

  const submit = async () => {
    const built = tokenRequest({ ttl, maxUsages, labels: rows });
    if ('error' in built) {
      setError(built.error);
      return;
    }
    setBusy(true);
    try {
      onCreated(await apiPost<CreatedTokenView>('/api/v1/tokens', built.request));
      setError(undefined);
      setRows([emptyRow()]);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 400
          ? fieldErrorOf(failure.detail, rows)
          : { field: '', message: failure instanceof Error ? failure.message : String(failure) },
      );
    } finally {
      setBusy(false);
    }
  };

  /** Whether the error names this field (and this label row; no row: the field as a whole). */
  const names = (field: string, row?: number) => error?.field === field && error.row === row;
  /** Ties an input to its hint and, when the error names it, to the error. */
  const described = (named: boolean, hint?: string) => ({
    'aria-invalid': named || undefined,
    'aria-describedby': [named ? 'create-token-error' : undefined, hint].filter(Boolean).join(' ') || undefined,
  });

  return (
    <form
      class="panel token-form"
      aria-labelledby="create-token-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3 id="create-token-title">Create a token</h3>
      <p role="alert" id="create-token-error" class="error">
        {error && `Could not create the token: ${error.message}`}
      </p>
      <div class="token-fields">
        <div class="field">
          <label for="token-ttl">Expires after</label>
          <input
            id="token-ttl"
            class="short"
            value={ttl}
            onInput={(event) => setTtl(event.currentTarget.value)}
            {...described(names('ttl'), 'token-ttl-hint')}
          />
          <span id="token-ttl-hint" class="hint">
            e.g. 30m, 1h, 7d; 0s: never
          </span>
        </div>
        <div class="field">
          <label for="token-max-usages">Max usages</label>
          <input
            id="token-max-usages"
            class="short"
            inputMode="numeric"
            value={maxUsages}
            onInput={(event) => setMaxUsages(event.currentTarget.value)}
            {...described(names('maxUsages'), 'token-max-usages-hint')}
          />
          <span id="token-max-usages-hint" class="hint">
            agents that may join with it; 0: no limit
          </span>
        </div>
      </div>
      <fieldset class="label-rows" aria-describedby={names('labels') ? 'create-token-error' : undefined}>
        <legend>Labels</legend>
        <p class="hint">Every cluster that joins with this token gets these labels. Empty rows are ignored.</p>
        {rows.map((row, index) => (
          <div class="label-row" key={row.id}>
            <label for={`label-key-${row.id}`}>
              Key<span class="visually-hidden"> of label {index + 1}</span>
            </label>
            <input
              id={`label-key-${row.id}`}
              value={row.key}
              autoComplete="off"
              spellcheck={false}
              onInput={(event) => setRow(row.id, { key: event.currentTarget.value })}
              {...described(names('labels', row.id))}
            />
            <label for={`label-value-${row.id}`}>
              Value<span class="visually-hidden"> of label {index + 1}</span>
            </label>
            <input
              id={`label-value-${row.id}`}
              value={row.value}
              autoComplete="off"
              spellcheck={false}
              onInput={(event) => setRow(row.id, { value: event.currentTarget.value })}
            />
            <button type="button" class="secondary" onClick={() => removeRow(index)}>
              Remove<span class="visually-hidden"> label {index + 1}</span>
            </button>
          </div>
        ))}
        <button type="button" id="add-label" class="secondary" onClick={addRow}>
          Add label
        </button>
      </fieldset>
      <div class="actions">
        <button type="submit" disabled={busy}>
          Create token
        </button>
      </div>
    </form>
  );
}
