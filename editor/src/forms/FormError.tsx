/** A form's own error (not one field's), announced when it appears; nothing when there is none. */
import type { ReactElement } from 'react';

export function FormError({ message }: { message: string | undefined }): ReactElement | null {
  return message ? (
    <p className="field__error" role="alert">
      {message}
    </p>
  ) : null;
}
