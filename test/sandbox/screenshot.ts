/**
 * Takes docs/console.png for the README: `npx tsx test/sandbox/screenshot.ts [out.png]`.
 * A sync dry run approved by the approver, then a report with its chart, in a 1280×900 window.
 */
import { silentLogger } from '../../src/log.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { sandboxUser } from '../../src/sandbox/world.js';
import { actAs, launchChromium, typeCommand } from './browser.js';

const out = process.argv[2] ?? 'docs/console.png';
const sb = await startSandbox({ logger: silentLogger, port: 0, banner: false });
const height = Number(process.env.SHOT_HEIGHT ?? 1400);
const chrome = await launchChromium({ width: 1280, height });
try {
  const page = chrome.page;
  page.setDefaultTimeout(30_000);
  await page.goto(sb.url);
  await page.waitForSelector('body[data-ready="true"]');
  await actAs(page, sandboxUser('operator').id);
  await typeCommand(page, '/brightcove sync neo');
  const approve = page.locator('[data-action-id="sync.approve_deletes"]').first();
  await approve.waitFor();
  await actAs(page, sandboxUser('approver').id);
  await approve.click();
  await page.locator('.confirm-dialog .confirm').click();
  await page.locator('.msg', { hasText: 'Deletes approved by' }).first().waitFor();
  await actAs(page, sandboxUser('operator').id);
  const files = sb.slack.files.size;
  await typeCommand(page, '/brightcove report neo --days 30');
  const png = await sb.slack.waitFor(
    () => [...sb.slack.files.values()].slice(files).find((f) => f.filename.endsWith('.png')),
    30_000,
  );
  const parent = page.locator(`.msg[data-ts="${png.threadTs}"]`);
  await parent.locator('.thread-toggle').first().click();
  await parent.locator('img.file-image').first().waitFor();
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('img.file-image')).every((i) => (i as HTMLImageElement).complete),
  );
  // Start the picture at the approval stamp: the plan's outcome above the report and its chart.
  await page
    .locator('.msg .section-text', { hasText: 'Deletes approved by' })
    .first()
    .evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await page.mouse.move(5, 890);
  await page.screenshot({ path: out });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await chrome.close();
  await sb.close();
}
