// The web chat page: one POST /api/turns per question, read as server-sent events (fetch, so the
// API key can travel in a header); every TurnEvent of the gateway's turn pipeline is drawn as it comes.
"use strict";

const ORIGINS = {
  CANDIDATE_ORIGIN_GENERATED: "generated, no evidence",
  CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE: "generated with evidence",
  CANDIDATE_ORIGIN_SEARCH_SNIPPET: "search snippet",
};
const STAGES = { STAGE_SEARCH: "search", STAGE_DECODE: "decode", STAGE_DECODE_WITH_EVIDENCE: "decode with evidence", STAGE_RANK: "rank", STAGE_PUBLISH: "publish" };

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };

let conversationId = newId();
const keyInput = $("#api-key");
keyInput.value = sessionStorage.getItem("mesh-api-key") || "";
keyInput.addEventListener("change", () => sessionStorage.setItem("mesh-api-key", keyInput.value));

function newId() {
  return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
}

$("#new-conversation").addEventListener("click", () => {
  conversationId = newId();
  $("#conversation").replaceChildren();
  $("#question").focus();
});

$("#question").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("#ask").requestSubmit(); }
});

$("#ask").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("#question").value.trim();
  if (!text) return;
  showError(null);
  $("#send").disabled = true;
  try {
    await ask(text);
    $("#question").value = "";
  } catch (err) {
    showError(err.message);
  } finally {
    $("#send").disabled = false;
  }
});

function showError(message) {
  const box = $("#error");
  box.hidden = !message;
  box.textContent = message || "";
}

async function ask(text) {
  const headers = { "content-type": "application/json", accept: "text/event-stream" };
  if (keyInput.value) headers["x-api-key"] = keyInput.value;
  const response = await fetch("api/turns", { method: "POST", headers, body: JSON.stringify({ text, conversationId }) });
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try { message = (await response.json()).error.message; } catch (_) { /* not our JSON */ }
    if (response.status === 401) message = "Unauthorised: " + message + " (open “API key” below)";
    if (response.status === 429) message += ` (Retry-After: ${response.headers.get("retry-after")} s)`;
    throw new Error(message);
  }
  const view = new TurnView(text);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let kind = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) kind = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      view.on(kind, JSON.parse(data || "{}"));
    }
  }
}

class TurnView {
  constructor(question) {
    this.root = $("#turn-template").content.firstElementChild.cloneNode(true);
    $(".question", this.root).textContent = question;
    this.terms = termsOf(question);
    this.candidates = new Map();
    $("#conversation").append(this.root);
    this.root.scrollIntoView({ block: "start" });
  }

  on(kind, event) {
    switch (kind) {
      case "evidence": return this.evidence(event.evidence);
      case "candidate-delta": return this.delta(event.candidateDelta);
      case "candidate-done": return this.done(event.candidateDone.candidate);
      case "ranking": return this.ranking(event.ranking);
      case "answer": return this.answer(event.answer);
      case "status": return this.status(event.status);
      case "error": return showError(event.message);
    }
  }

  evidence(evidence) {
    const cards = $(".cards", this.root);
    (evidence.snippets || []).forEach((s, i) => {
      const card = el("li", "card");
      card.append(el("div", "title", `[${i + 1}] ${s.title || s.documentId}`));
      const text = el("p", "snippet");
      marked(text, s.text || "", this.terms);
      card.append(text, el("div", "source", s.url || s.source || s.documentId));
      cards.append(card);
    });
    if (!cards.children.length) cards.append(el("li", "card", "No evidence found."));
  }

  card(index, origin) {
    let c = this.candidates.get(index);
    if (!c) {
      c = el("div", "candidate");
      c.dataset.index = index;
      c.append(el("div", "origin", `#${index} ${ORIGINS[origin] || "candidate"}`), el("div", "text"), el("div", "reward"));
      c.setAttribute("aria-label", `candidate ${index}`);
      $(".candidates", this.root).append(c);
      this.candidates.set(index, c);
    }
    return c;
  }

  delta(d) {
    const c = this.card(d.candidateIndex || 0, d.origin);
    $(".text", c).textContent += d.text || "";
    c.classList.add("streaming");
  }

  done(candidate) {
    const c = this.card(candidate.index || 0, candidate.origin);
    $(".origin", c).textContent = `#${candidate.index || 0} ${ORIGINS[candidate.origin] || "candidate"}`;
    $(".text", c).textContent = candidate.text || "";
    c.classList.remove("streaming");
    c.classList.add("done");
  }

  ranking(ranking) {
    for (const s of ranking.scores || []) {
      const c = this.card(s.candidateIndex || 0);
      $(".reward", c).textContent = `reward ${Number(s.reward || 0).toFixed(3)}`;
      if ((s.ruleViolations || []).length) {
        const list = el("ul", "violations");
        for (const v of s.ruleViolations) list.append(el("li", null, `${v.rule}: ${v.description}`));
        c.append(list);
      }
    }
    const best = this.candidates.get(ranking.bestCandidateIndex || 0);
    if (best) best.classList.add("winner");
  }

  answer(answer) {
    const box = $(".answer", this.root);
    box.hidden = false;
    $(".answer-text", box).textContent = answer.text || "";
    const sources = (answer.citedSnippets || []).map((s, i) => `[${i + 1}] ${s.title || s.documentId}`).join("  ");
    $(".sources", box).textContent = sources ? "Sources: " + sources : "";
    const winner = this.candidates.get(answer.candidateIndex || 0);
    if (winner) winner.classList.add("winner");
  }

  status(status) {
    const list = $(".stages", this.root);
    for (const s of status.stages || []) {
      const state = (s.state || "").replace("STAGE_STATE_", "");
      const item = el("li", "stage-" + state, `${STAGES[s.stage] || s.stage}: ${state} ${s.duration || ""}` + (s.reason ? ` — ${s.reason}` : ""));
      list.append(item);
    }
    list.append(el("li", "total", `total ${status.totalDuration || ""} (${(status.overallState || "").replace("STAGE_STATE_", "")})`));
    this.root.dataset.done = "true";
  }
}

// the question's words (3+ letters), marked wherever they start a word of the snippet
function termsOf(question) {
  const common = new Set(["and", "the", "who", "what", "which", "when", "where", "how", "why", "was", "were", "did", "does", "for", "with", "from", "that", "this", "year"]);
  return [...new Set(question.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) || [])].filter((t) => !common.has(t));
}

function marked(target, text, terms) {
  if (!terms.length) { target.textContent = text; return; }
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join("|")})[\\p{L}\\p{N}]*`, "giu");
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    target.append(document.createTextNode(text.slice(last, m.index)), el("mark", null, m[0]));
    last = m.index + m[0].length;
  }
  target.append(document.createTextNode(text.slice(last)));
}
