// Manual look: node shoot.mjs [baseUrl] [key] -> out/*.png
import { mkdirSync } from 'node:fs';
import { launch, newPage, signIn } from './browser.mjs';

const base = process.argv[2] || 'http://127.0.0.1:8099/';
const key = process.argv[3] || 'test-key';
mkdirSync('out', { recursive: true });
const browser = await launch();
try {
  const { page, errors } = await newPage(browser);
  await page.goto(base);
  await page.screenshot({ path: 'out/signin.png' });
  await signIn(page, base, key);
  await page.waitForTimeout(800);
  await page.screenshot({ path: 'out/desktop-month.png', fullPage: true });
  await page.getByTestId('site-select').selectOption('1');
  await page.waitForSelector('[data-testid="calendar-event"]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'out/desktop-month.png', fullPage: true });
  await page.getByTestId('view-week').click();
  await page.waitForTimeout(800);
  await page.screenshot({ path: 'out/desktop-week.png', fullPage: true });
  await page.getByTestId('view-list').click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: 'out/desktop-list.png', fullPage: true });
  await page.locator('[data-testid="calendar-event"][data-content-id="3"]').click();
  await page.getByTestId('records').waitFor();
  await page.screenshot({ path: 'out/desktop-item.png' });
  await page.getByTestId('item-close').click();
  await page.getByTestId('tab-settings').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: 'out/desktop-settings.png', fullPage: true });
  const m = await newPage(browser, { width: 360, height: 740 });
  await signIn(m.page, base, key);
  await m.page.waitForTimeout(800);
  await m.page.screenshot({ path: 'out/mobile.png', fullPage: true });
  console.log('errors:', JSON.stringify([...errors, ...m.errors], null, 1));
} finally {
  await browser.close();
}
