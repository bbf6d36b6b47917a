// Mobile + week-with-slots look
import { launch, newPage, signIn } from './browser.mjs';
const base = process.argv[2] || 'http://127.0.0.1:8099/';
const browser = await launch();
const errs = [];
try {
  const m = await newPage(browser, { width: 360, height: 740 });
  errs.push(m.errors);
  await signIn(m.page, base, 'test-key');
  await m.page.getByTestId('site-select').selectOption('1');
  await m.page.waitForSelector('[data-testid="calendar-event"]');
  await m.page.screenshot({ path: 'out/mobile.png', fullPage: true });
  await m.page.getByTestId('view-month').click();
  await m.page.waitForTimeout(400);
  await m.page.screenshot({ path: 'out/mobile-month.png', fullPage: false });
  const d = await newPage(browser);
  errs.push(d.errors);
  await signIn(d.page, base, 'test-key');
  await d.page.getByTestId('site-select').selectOption('1');
  await d.page.getByTestId('view-week').click();
  await d.page.getByTestId('cal-next').click();
  await d.page.waitForSelector('[data-testid="slot"]');
  await d.page.waitForTimeout(400);
  await d.page.screenshot({ path: 'out/desktop-week2.png', fullPage: true });
  await d.page.getByTestId('view-month').click();
  await d.page.waitForTimeout(400);
  await d.page.screenshot({ path: 'out/desktop-month.png' });
  console.log('errors', JSON.stringify(errs.flat()));
} finally { await browser.close(); }
