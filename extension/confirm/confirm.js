// "Open this link?" window: shown when a link the helper judged deceptive,
// lookalike or hidden is clicked in a message (display_core.js guardLinks).
// Says why; opens the link in the browser only when asked to.
import { confirmView } from "../lib/confirm_view.js";
import { t } from "../lib/i18n.js";
import { localizePage } from "../lib/localize.js";

localizePage(document);

const params = new URLSearchParams(location.search);
const view = confirmView(params.get("url"), params.get("kind"), params.get("evidence"));
document.getElementById("title").textContent = view.title;
document.getElementById("evidence").textContent = view.evidence;
document.getElementById("url").textContent = view.url || t("confirmNotWeb");
const open = document.getElementById("open");
open.disabled = !view.url;
open.addEventListener("click", async () => {
  if (view.url) await messenger.windows.openDefaultBrowser(view.url);
  window.close();
});
document.getElementById("cancel").addEventListener("click", () => window.close());
const resolve = document.getElementById("resolve");
if (view.canResolve) {
  resolve.hidden = false;
  resolve.addEventListener("click", () => {
    const q = new URLSearchParams({ url: view.url });
    if (params.get("tabId")) q.set("tabId", params.get("tabId"));
    location.href = `../resolve/resolve.html?${q}`;
  });
}
