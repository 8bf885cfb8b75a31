// The message display action's popup: the report of the displayed message.
import { t } from "../lib/i18n.js";
import { localizePage } from "../lib/localize.js";
import { buildReport } from "../lib/report_model.js";
import { renderReport } from "../lib/report_render.js";

async function ask(msg) {
  const answer = await messenger.runtime.sendMessage(msg);
  if (!answer || !answer.ok) {
    const e = new Error((answer && answer.error && answer.error.message) || t("noAnswer"));
    e.code = answer && answer.error && answer.error.code;
    throw e;
  }
  return answer;
}

async function show() {
  const root = document.getElementById("root");
  const [tab] = await messenger.tabs.query({ active: true, currentWindow: true });
  const tabId = tab && tab.id;
  const { record } = await ask({ command: "report", tabId });
  const model = buildReport(record);
  // One click: the helper's allowlist changes, the mail re-renders in place,
  // and the popup shows the new report (with the undo in the same place).
  const actions = {
    allowImages: async (domain) => {
      await ask({ command: "allowImages", tabId, domain });
      await show();
    },
    blockImages: async (domain) => {
      await ask({ command: "blockImages", tabId, domain });
      await show();
    },
    undoLink: (original) => ask({ command: "undoLink", tabId, original }),
  };
  root.replaceChildren(renderReport(document, model, actions));
}

localizePage(document);
show().catch((e) => {
  const p = document.createElement("p");
  p.textContent = `Trackless: ${e.message || e}`;
  document.getElementById("root").replaceChildren(p);
});
