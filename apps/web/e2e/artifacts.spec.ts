import { readFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import type { APIRequestContext, Page } from '@playwright/test';
import { API_BASE, WEB_ORIGIN, expect, signUp, snap, test, uniqueEmail } from './support/fixtures';

/** A real 2×2 PNG (red), built here so the test carries no binary file. */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows = Buffer.from([0, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

const HOSTILE_HTML = '<!doctype html><title>untouched</title><script>document.title = "pwned"; parent.document.title = "pwned"</script><img src=x onerror="document.title=\'pwned\'">';
const HOSTILE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="document.documentElement.setAttribute(\'data-pwned\', \'1\')"><script>document.documentElement.setAttribute("data-pwned", "1")</script><rect width="10" height="10"/></svg>';

async function uploadVia(request: APIRequestContext, body: Record<string, unknown>): Promise<{ id: string; version: number }> {
  const res = await request.post(`${API_BASE}/artifacts`, { data: body });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { id: string; version: number };
}

async function orgOf(page: Page): Promise<string> {
  const res = await page.request.get(`${API_BASE}/clients`);
  return ((await res.json()) as { data: { id: string }[] }).data[0]!.id;
}

test('a project’s Artifacts tab shows what the API received: tree, versions, previews, downloads', async ({ page }, testInfo) => {
  const email = uniqueEmail('artifacts');
  await signUp(page, 'Artifact Owner', email);
  const org = await orgOf(page);
  const project = (await (await page.request.post(`${API_BASE}/projects`, { data: { org_id: org, name: 'Agent run' } })).json()) as { id: string };
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
  const first = await uploadVia(page.request, { org_id: org, project_id: project.id, path: 'output/report.txt', content_base64: b64('first draft\n') });
  await uploadVia(page.request, { org_id: org, project_id: project.id, path: 'output/report.txt', content_base64: b64('final report\n') });
  await uploadVia(page.request, { org_id: org, project_id: project.id, path: 'output/img/chart.png', content_base64: b64(tinyPng()) });
  await uploadVia(page.request, { org_id: org, project_id: project.id, path: 'output/page.html', content_base64: b64(HOSTILE_HTML) });
  await uploadVia(page.request, { org_id: org, path: 'notes/org-level.md', content_base64: b64('# not in a project\n') });

  await page.reload();
  await page.getByRole('link', { name: 'Artifacts of Agent run' }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${project.id}/artifacts$`));
  await expect(page.getByRole('heading', { name: 'Agent run', level: 1 })).toBeVisible();
  const tree = page.getByRole('navigation', { name: 'Artifact paths' });
  await expect(tree.getByText('output/', { exact: true })).toBeVisible();
  await expect(tree.getByText('img/', { exact: true })).toBeVisible();
  await expect(tree).not.toContainText('org-level.md');

  // Versions of one path, newest first, with size, uploader and time; the newest previewed as text.
  await tree.locator('[data-path="output/report.txt"]').click();
  const versions = page.getByRole('table');
  await expect(versions.locator('tbody tr')).toHaveCount(2);
  await expect(versions.locator('tr[data-version="2"]')).toContainText('13 B');
  await expect(versions.locator('tr[data-version="1"]')).toContainText(email);
  await expect(page.getByLabel('Contents of output/report.txt')).toHaveText('final report\n');

  // A download of an older version is exactly its bytes.
  const downloading = page.waitForEvent('download');
  await versions.getByRole('link', { name: 'Download version 1' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('report.txt');
  expect((await readFile((await download.path())!)).toString()).toBe('first draft\n');

  // A raster image through a blob: URL.
  await tree.locator('[data-path="output/img/chart.png"]').click();
  const image = page.getByRole('img', { name: 'Preview of output/img/chart.png' });
  await expect(image).toHaveAttribute('src', /^blob:/);
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(2);

  // HTML is shown as its source, never run.
  const title = await page.title();
  await tree.locator('[data-path="output/page.html"]').click();
  await expect(page.getByLabel('Contents of output/page.html')).toContainText('<script>document.title = "pwned"');
  expect(await page.title()).toBe(title);
  await snap(page, testInfo, 'project-artifacts');

  // The organization-level list holds the upload made without a project.
  await page.getByRole('navigation', { name: 'Sections', exact: true }).getByRole('link', { name: 'Artifacts' }).click();
  await expect(page.getByRole('heading', { name: 'Artifacts', level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Artifact paths' }).locator('[data-path="notes/org-level.md"]').click();
  await expect(page.getByLabel('Contents of notes/org-level.md')).toHaveText('# not in a project\n');
  expect(first.version).toBe(1);
});

test.describe('hostile uploads', () => {
  // Chromium reports each script it refused to run: those lines are this test's evidence.
  const BLOCKED_SCRIPT = /^Blocked script execution in '.*\/content' because the document's frame is sandboxed/;
  test.use({ expectedConsoleErrors: new RegExp(`${BLOCKED_SCRIPT.source}|^Loading the image '.*' violates the following Content Security Policy directive`) });

test('an uploaded HTML or SVG file never runs on the product origin, even opened directly', async ({ page }) => {
  const blocked: string[] = [];
  page.on('console', (message) => {
    if (BLOCKED_SCRIPT.test(message.text())) blocked.push(message.text());
  });
  await signUp(page, 'Hostile Uploader', uniqueEmail('hostile'));
  const org = await orgOf(page);
  for (const [path, text, type] of [
    ['evil.html', HOSTILE_HTML, 'text/html'],
    ['evil.svg', HOSTILE_SVG, 'image/svg+xml'],
  ] as const) {
    const { id } = await uploadVia(page.request, { org_id: org, path, content_base64: Buffer.from(text).toString('base64'), content_type: type });
    const url = `${WEB_ORIGIN}/api/v1/artifacts/${id}/content`;

    // Opened on the product's origin, it is a download, not a page.
    const downloading = page.waitForEvent('download');
    await page.goto(url).catch(() => undefined); // navigation is replaced by the download
    expect((await readFile((await (await downloading).path())!)).toString()).toBe(text);

    // Even if a browser or proxy ignored `attachment`, the API's own CSP sandboxes it:
    // render the real response (all other headers kept) without that one header.
    await page.route(url, async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      expect(headers['content-security-policy']).toMatch(/^sandbox/);
      expect(headers['x-content-type-options']).toBe('nosniff');
      delete headers['content-disposition'];
      await route.fulfill({ response, headers });
    });
    await page.goto(url);
    await page.waitForTimeout(300);
    if (type === 'text/html') expect(await page.title()).toBe('untouched');
    else expect(await page.evaluate(() => document.documentElement.getAttribute('data-pwned'))).toBeNull();
    // Sandboxed without allow-same-origin: an opaque origin, so no cookie and no same-origin API access.
    expect(await page.evaluate(() => window.origin)).toBe('null');
    expect(blocked.some((line) => line.includes(id)), `Chromium blocked the scripts of ${path}`).toBe(true);
    await page.unroute(url);
    await page.goto('/projects');
  }
});
});
