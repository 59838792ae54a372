export const SHORTCUTS: [string, string][] = [
  ['Enter', 'save and next (accepts the prediction if you changed nothing)'],
  ['1 2 3 4', 'gender: male, female, non-binary, unknown'],
  ['↑ ↓', 'age bin up / down'],
  ['A, then digits', 'type the exact age (Enter saves); numpad digits type it directly'],
  ['R / Shift+R', 'next / previous race'],
  ['S', 'skip (not labelable)'],
  ['N, then drag', 'draw a new face box'],
  ['B', 'box mode: arrows nudge the box (Shift = 10 px); Esc leaves'],
  ['Delete / Backspace', 'delete this face (false detection)'],
  ['Ctrl+Z / Ctrl+Shift+Z', 'undo / redo box and label edits'],
  ['0 or double-click', 'fit the face'],
  ['wheel / drag / hold Space', 'zoom / pan'],
  ['H', 'hide or show boxes'],
  ['?', 'show or hide this list'],
];

export function ShortcutsOverlay({ onClose }: { onClose(): void }) {
  return (
    <div className="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="card">
        <h2>Keyboard shortcuts</h2>
        <table className="table">
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={keys}>
                <td>
                  <kbd>{keys}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">Press ? or Esc to close.</p>
      </div>
    </div>
  );
}
