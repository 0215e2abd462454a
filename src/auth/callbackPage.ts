/**
 * The small HTML pages the loopback listener answers the browser with. Self-contained
 * (inline style, no script, no external resource) so they render even offline.
 */

export interface CallbackPage {
  status: number;
  body: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function page(title: string, paragraphs: string[], ok: boolean): string {
  const colour = ok ? '#1b7f3b' : '#b3261e';
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>koprogo-iot: ${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; color: ${colour}; }
p { line-height: 1.5; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

export function successPage(): CallbackPage {
  return {
    status: 200,
    body: page(
      'Meter linked, you can close this tab',
      ['The consent was received. Go back to the terminal to see the linked meter.'],
      true,
    ),
  };
}

/** A failure page: what went wrong and what to do. */
export function failurePage(status: number, problem: string, whatToDo: string): CallbackPage {
  return { status, body: page('The meter was not linked', [problem, whatToDo], false) };
}

export function notFoundPage(): CallbackPage {
  return failurePage(
    404,
    'Nothing here.',
    'The consent answer is expected on /callback; start the link again from the terminal.',
  );
}
