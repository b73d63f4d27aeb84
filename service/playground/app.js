// newsbrief playground: everything the user or the server says is shown with
// textContent, never parsed as markup, so article text can never run.
"use strict";

const $ = (id) => document.getElementById(id);
let lastBox = [];
// Revise mode: the article the last box was made from, and the bullets pinned since.
let lastArticle = null;
let pinned = new Set();

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function headers() {
  const key = $("apikey").value.trim();
  return key ? { "Content-Type": "application/json", "X-API-Key": key } : { "Content-Type": "application/json" };
}

async function loadEngines() {
  const select = $("engine");
  select.replaceChildren();
  try {
    const response = await fetch("/v1/engines", { headers: headers() });
    if (!response.ok) {
      showError(problemMessage(await response.json()));
      return;
    }
    const body = await response.json();
    for (const engine of body.engines || []) {
      const option = document.createElement("option");
      option.value = engine.name;
      option.textContent = engine.name + (engine.default ? " (default)" : "") + (engine.ready ? "" : " - not ready");
      option.disabled = !engine.ready;
      option.selected = engine.default;
      select.appendChild(option);
    }
  } catch (err) {
    showError("Could not list engines: " + err);
  }
}

async function loadProfiles() {
  const select = $("profile");
  select.replaceChildren();
  try {
    const response = await fetch("/v1/profiles", { headers: headers() });
    if (!response.ok) return; // the engine list already says why (a key is needed)
    const body = await response.json();
    for (const profile of body.profiles || []) {
      const option = document.createElement("option");
      option.value = profile.name;
      option.textContent = profile.name + (profile.name === body.default ? " (default)" : "");
      option.selected = profile.name === body.default;
      select.appendChild(option);
    }
  } catch (err) {
    showError("Could not list profiles: " + err);
  }
}

async function loadSample() {
  const response = await fetch("/playground/sample");
  const body = await response.json();
  $("article").value = body.text;
  $("title").value = body.title || "";
  $("format").value = "text";
}

function problemMessage(problem) {
  let message = (problem.title || "Error") + ": " + (problem.detail || "");
  if (problem.errors) {
    for (const [field, messages] of Object.entries(problem.errors)) {
      message += "\n" + field + ": " + [].concat(messages).map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
    }
  }
  return message;
}

function clearResult() {
  $("summary").textContent = "";
  $("box").replaceChildren();
  $("source").replaceChildren();
  $("checked").replaceChildren();
  $("dropped").replaceChildren();
  $("changes").replaceChildren();
  $("copy-json").disabled = $("copy-html").disabled = true;
}

// Provenance: the cleaned article, one span per sentence, so a claim's
// evidence can be lit up while the claim is hovered or focused.
function renderSource(article) {
  const box = $("source");
  box.replaceChildren();
  if (!article) return;
  let at = 0;
  for (const sentence of article.sentences) {
    if (sentence.start > at) box.appendChild(document.createTextNode(article.text.slice(at, sentence.start)));
    const span = document.createElement("span");
    span.className = "sentence";
    span.dataset.sentence = String(sentence.index);
    span.textContent = article.text.slice(sentence.start, sentence.end);
    box.appendChild(span);
    at = Math.max(at, sentence.end);
  }
  box.appendChild(document.createTextNode(article.text.slice(at)));
}

function lightEvidence(check, on) {
  for (const span of $("source").querySelectorAll(".sentence.evidence")) span.classList.remove("evidence");
  if (!on || !check) return;
  let first = null;
  for (const evidence of check.evidence) {
    const span = $("source").querySelector(`.sentence[data-sentence="${Number(evidence.sentence)}"]`);
    if (span) {
      span.classList.add("evidence");
      first = first || span;
    }
  }
  // Scroll the article panel only: scrolling the page would move the claim
  // from under the pointer and end the hover.
  if (first) $("source").scrollTop = Math.max(0, first.offsetTop - 24);
}

// One checked sentence as an element: unsupported spans marked, evidence on hover/focus.
function claimElement(tag, text, check) {
  const element = document.createElement(tag);
  element.className = "claim";
  if (!check) {
    element.textContent = text;
    return element;
  }
  element.tabIndex = 0;
  element.classList.add(check.supported ? "supported" : "unsupported");
  element.title = check.supported
    ? `Supported by the article (score ${check.score})`
    : `Not supported by the article (score ${check.score})`;
  let at = 0;
  const issues = [...check.issues].sort((a, b) => a.start - b.start);
  for (const issue of issues) {
    if (issue.start < at) continue;
    element.appendChild(document.createTextNode(check.sentence.slice(at, issue.start)));
    const mark = document.createElement("mark");
    mark.className = "issue " + issue.type;
    mark.title = issue.type === "attribution"
      ? "attribution: the article gives this a source; the draft states it as fact"
      : `${issue.type}: not in the article`;
    mark.textContent = check.sentence.slice(issue.start, issue.end);
    element.appendChild(mark);
    at = issue.end;
  }
  element.appendChild(document.createTextNode(check.sentence.slice(at)));
  for (const [event, on] of [["mouseenter", true], ["focus", true], ["mouseleave", false], ["blur", false]]) {
    element.addEventListener(event, () => lightEvidence(check, on));
  }
  return element;
}

async function summarise() {
  showError("");
  clearResult(); // never leave the last article's result beside a new error
  const format = $("format").value;
  const request = { [format]: $("article").value };
  if ($("title").value.trim()) request.title = $("title").value.trim();
  const options = { engine: $("engine").value, article: true };
  if ($("profile").value) options.profile = $("profile").value;
  if ($("bullets").value) options.bullets = Number($("bullets").value);
  request.options = options;
  if ($("revise").checked && lastBox.length && lastArticle) {
    request.previous = { bullets: lastBox, pinned: [...pinned].sort((a, b) => a - b), ...lastArticle };
  }
  const sent = { [format]: request[format] };
  $("submit").disabled = true;
  $("meta").textContent = "Working...";
  try {
    const response = await fetch("/v1/summaries", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify(request),
    });
    const body = await response.json();
    if (!response.ok) {
      showError(problemMessage(body));
      $("meta").textContent = "";
      return;
    }
    render(body);
    lastArticle = sent;
  } catch (err) {
    showError("Request failed: " + err);
    $("meta").textContent = "";
  } finally {
    $("submit").disabled = false;
  }
}

// What became of a bullet since the previous box: kept, updated (and how), new, pinned.
function statusElement(revised) {
  const badge = document.createElement("span");
  badge.className = "status " + revised.status + (revised.flagged ? " flagged" : "");
  let text = revised.status;
  if (revised.changes && revised.changes.length) {
    text += ": " + revised.changes.map((c) => `${c.from} \u2192 ${c.to}`).join(", ");
  }
  if (revised.flagged) {
    text += " \u00b7 the story no longer says this" + (revised.suggestion ? ` (now: ${revised.suggestion})` : "");
  }
  badge.textContent = text;
  return badge;
}

function pinElement(index) {
  const pin = document.createElement("button");
  pin.type = "button";
  pin.className = "pin";
  pin.textContent = "pin";
  pin.setAttribute("aria-pressed", String(pinned.has(index)));
  pin.title = "Pinned bullets are never changed by a revision, only checked";
  pin.addEventListener("click", () => {
    if (pinned.has(index)) pinned.delete(index);
    else pinned.add(index);
    pin.setAttribute("aria-pressed", String(pinned.has(index)));
  });
  return pin;
}

function renderRevision(revision) {
  const dropped = $("dropped");
  for (const gone of revision ? revision.dropped : []) {
    const item = document.createElement("li");
    item.textContent = `dropped (${gone.reason}): ${gone.text}`;
    dropped.appendChild(item);
  }
  const changes = $("changes");
  const found = revision && revision.changes ? revision.changes : { new_facts: [], corrected_facts: [] };
  for (const fact of found.corrected_facts) {
    const item = document.createElement("li");
    item.textContent = `Corrected: ${fact.from.join(", ")} \u2192 ${fact.to.join(", ")} \u00b7 ${fact.text}`;
    changes.appendChild(item);
  }
  for (const fact of found.new_facts) {
    const item = document.createElement("li");
    item.textContent = `Updated: ${fact.text}`;
    changes.appendChild(item);
  }
}

function render(body) {
  renderSource(body.article);
  const summary = $("summary");
  summary.replaceChildren();
  const summaryChecks = body.checks && body.checks.summary ? body.checks.summary.sentences : null;
  if (summaryChecks) {
    summaryChecks.forEach((check, i) => {
      if (i) summary.appendChild(document.createTextNode(" "));
      summary.appendChild(claimElement("span", check.sentence, check));
    });
  } else {
    summary.textContent = body.summary;
  }
  const list = $("box");
  list.replaceChildren();
  const boxChecks = body.checks && body.checks.bullets ? body.checks.bullets.sentences : [];
  const revised = body.revision ? body.revision.bullets : [];
  pinned = new Set(revised.flatMap((b, i) => (b.status === "pinned" ? [i] : [])));
  body.bullets.forEach((bullet, i) => {
    const item = claimElement("li", bullet, boxChecks[i]);
    if (revised[i]) item.prepend(statusElement(revised[i]), " ");
    item.append(" ", pinElement(i));
    list.appendChild(item);
  });
  renderRevision(body.revision);
  lastBox = body.bullets;
  $("copy-json").disabled = $("copy-html").disabled = lastBox.length === 0;
  $("meta").textContent = `engine ${body.engine} · model ${body.model} · profile ${body.profile.name} · ${body.elapsed_ms} ms` +
    (body.truncated ? " · input was cut to fit" : "");
}

async function checkDraft() {
  showError("");
  $("checked").replaceChildren();
  const draft = $("draft").value.split("\n").map((line) => line.trim()).filter(Boolean);
  if (!draft.length) {
    showError("Write or paste a summary to check, one sentence or bullet per line.");
    return;
  }
  const format = $("format").value;
  const request = { [format]: $("article").value, summary: draft };
  if ($("title").value.trim()) request.title = $("title").value.trim();
  $("check").disabled = true;
  try {
    const response = await fetch("/v1/checks", { method: "POST", headers: headers(), body: JSON.stringify(request) });
    const body = await response.json();
    if (!response.ok) {
      showError(problemMessage(body));
      return;
    }
    renderSource(body.article);
    const list = $("checked");
    for (const check of body.sentences) list.appendChild(claimElement("li", check.sentence, check));
    $("meta").textContent = (body.supported ? "Every sentence is supported" : "Some sentences are not supported") +
      ` · checker ${body.checker} · ${body.elapsed_ms} ms`;
  } catch (err) {
    showError("Request failed: " + err);
  } finally {
    $("check").disabled = false;
  }
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    $("meta").textContent = "Copied.";
  } catch (err) {
    showError("Copy failed (clipboard needs https or localhost): " + err);
  }
}

$("sample").addEventListener("click", loadSample);
$("apikey").addEventListener("change", () => { showError(""); loadEngines(); loadProfiles(); });
$("submit").addEventListener("click", summarise);
$("check").addEventListener("click", checkDraft);
$("copy-json").addEventListener("click", () => copy(JSON.stringify({ what_you_need_to_know: lastBox }, null, 2)));
$("copy-html").addEventListener("click", () =>
  copy("<h2>What You Need To Know</h2>\n<ul>\n" + lastBox.map((b) => "  <li>" + escapeHtml(b) + "</li>").join("\n") + "\n</ul>"));
loadEngines();
loadProfiles();
