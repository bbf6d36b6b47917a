// First-run, settings error and mobile dialog looks -> out/*.png
// Needs: python3 stub_api.py --port 8098 --empty &  and  python3 stub_api.py --port 8099 &
import { launch, newPage, signIn } from './browser.mjs';
const browser = await launch();
try {
  const a = await newPage(browser, { width: 1100, height: 900 });
  await signIn(a.page, 'http://127.0.0.1:8098/', 'test-key');
  await a.page.getByTestId('first-site-form').waitFor();
  await a.page.getByTestId('site-create').click();
  await a.page.getByTestId('field-error-name').waitFor();
  await a.page.screenshot({ path: 'out/first-run.png', fullPage: true });
  const m = await newPage(browser, { width: 360, height: 740 });
  await signIn(m.page, 'http://127.0.0.1:8099/', 'test-key');
  await m.page.getByTestId('site-select').selectOption('1');
  await m.page.getByTestId('view-list').click();
  await m.page.locator('[data-testid="calendar-event"][data-content-id="2"]').first().click();
  await m.page.getByTestId('record').first().waitFor();
  await m.page.screenshot({ path: 'out/mobile-dialog.png' });
  await m.page.keyboard.press('Escape');
  await m.page.getByTestId('tab-settings').click();
  await m.page.getByTestId('settings-daily-publish-limit').fill('-1');
  await m.page.getByTestId('settings-save').click();
  await m.page.getByTestId('field-error-daily_publish_limit').waitFor();
  await m.page.getByTestId('settings-form').screenshot({ path: 'out/mobile-settings-error.png' });
  console.log('errors', JSON.stringify([...a.errors, ...m.errors]));
} finally { await browser.close(); }
