/** "Export TypeScript": the generated source, downloaded as <name>.ts and shown with a copy button. */
import { useState, type ReactElement } from 'react';
import { Modal } from './Modal';

export function ExportDialog({ fileName, source, onClose }: { fileName: string; source: string; onClose: () => void }): ReactElement {
  const [copied, setCopied] = useState<string | undefined>();
  return (
    <Modal title={`TypeScript: ${fileName}`} onClose={onClose} wide>
      <div className="button-row">
        <button
          type="button"
          onClick={() => {
            navigator.clipboard.writeText(source).then(
              () => setCopied('Copied to the clipboard.'),
              () => setCopied('The browser refused the clipboard; select the text and copy it.'),
            );
          }}
        >
          Copy
        </button>
        <span role="status">{copied}</span>
      </div>
      <pre className="code-block" aria-label="Generated TypeScript" tabIndex={0}>
        {source}
      </pre>
    </Modal>
  );
}
