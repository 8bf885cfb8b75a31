// Options page: helper status, allowlist, settings. All host calls go through
// the background (only it holds the native port).
import { allowlistRows, parseSetting, settingRows, statusView } from "../lib/options_model.js";

const $ = (id) => document.getElementById(id);

async function ask(msg) {
  const answer = await messenger.runtime.sendMessage(msg);
  if (!answer || !answer.ok) throw new Error((answer && answer.error && answer.error.message) || "no answer");
  return answer.result;
}

function say(text, error = false) {
  $("message").textContent = text;
  $("message").className = error ? "error" : "";
}

async function checkStatus() {
  $("status").textContent = "Checking…";
  const view = statusView(await messenger.runtime.sendMessage({ command: "status" }));
  $("status").textContent = view.text;
  $("fix").hidden = !view.fix;
  $("fix").textContent = view.fix || "";
  return view.ok;
}

function cell(...children) {
  const td = document.createElement("td");
  for (const c of children) td.appendChild(c);
  return td;
}

function checkbox(checked, onChange) {
  const c = document.createElement("input");
  c.type = "checkbox";
  c.checked = checked;
  c.addEventListener("change", () => onChange(c.checked));
  return c;
}

function showAllowlist(result) {
  const rows = allowlistRows(result);
  const body = $("allowlist");
  body.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement("tr");
    tr.appendChild(cell(document.createTextNode(row.domain)));
    const update = async (images, keep_links) => {
      try {
        if (!images && !keep_links) showAllowlist(await ask({ command: "allowlist.remove", domain: row.domain }));
        else showAllowlist(await ask({ command: "allowlist.add", domain: row.domain, images, keep_links }));
        say(`${row.domain} updated.`);
      } catch (e) {
        say(e.message, true);
      }
    };
    tr.appendChild(cell(checkbox(row.images, (v) => update(v, row.keepLinks))));
    tr.appendChild(cell(checkbox(row.keepLinks, (v) => update(row.images, v))));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.addEventListener("click", async () => {
      try {
        showAllowlist(await ask({ command: "allowlist.remove", domain: row.domain }));
        say(`${row.domain} removed.`);
      } catch (e) {
        say(e.message, true);
      }
    });
    tr.appendChild(cell(remove));
    body.appendChild(tr);
  }
}

function showSettings(result) {
  const box = $("settings");
  box.replaceChildren();
  for (const row of settingRows(result)) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    if (row.type === "boolean") {
      input.type = "checkbox";
      input.checked = Boolean(row.value);
    } else {
      input.type = row.type === "integer" ? "number" : "text";
      input.value = row.value == null ? "" : String(row.value);
    }
    input.addEventListener("change", async () => {
      const parsed = parseSetting(row, row.type === "boolean" ? input.checked : input.value);
      if (parsed.error) return say(parsed.error, true);
      try {
        showSettings({ ...(await ask({ command: "settings.set", settings: { [row.name]: parsed.value } })), schema: result.schema });
        say(`${row.name} saved.`);
      } catch (e) {
        say(e.message, true);
      }
    });
    const name = document.createElement("strong");
    name.textContent = row.name;
    const help = document.createElement("span");
    help.className = "help";
    help.textContent = ` ${row.help}`;
    label.append(input, " ", name, help);
    const p = document.createElement("p");
    p.appendChild(label);
    box.appendChild(p);
  }
}

async function load() {
  if (!(await checkStatus())) return;
  try {
    showAllowlist(await ask({ command: "allowlist.get" }));
    showSettings(await ask({ command: "settings.get" }));
  } catch (e) {
    say(e.message, true);
  }
}

$("check").addEventListener("click", () => load());
$("add").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    showAllowlist(
      await ask({
        command: "allowlist.add",
        domain: $("add-domain").value.trim(),
        images: $("add-images").checked,
        keep_links: $("add-keep").checked,
      }),
    );
    say("Added.");
    $("add-domain").value = "";
  } catch (e) {
    say(e.message, true);
  }
});
$("forget").addEventListener("click", async () => {
  try {
    const result = await ask({ command: "learned.clear" });
    say(result && result.cleared ? "Learned ids forgotten." : "Nothing was learned yet.");
  } catch (e) {
    say(e.message, true);
  }
});
load();
