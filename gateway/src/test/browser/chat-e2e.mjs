// Drives Debian's chromium through playwright-core against the gateway's web chat page:
// node chat-e2e.mjs URL SCREENSHOT.png — asks a demo-corpus question, waits for the turn's events
// to be drawn, saves a screenshot and prints what the page showed as one JSON line on stdout.
import { chromium } from "playwright-core";

const [url, screenshot, question, apiKey] = process.argv.slice(2);
const executablePath = process.env.MESH_CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  // playwright gives the browser a new empty profile of its own (no --user-data-dir allowed)
});
try {
  const page = await browser.newPage({ viewport: { width: 390, height: 1400 } });   // a phone's width
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  await page.goto(url);
  if (apiKey) {
    await page.click("#key-box summary");
    await page.fill("#api-key", apiKey);
    await page.dispatchEvent("#api-key", "change");
  }
  await page.fill("#question", question);
  await page.click("#send");
  // a candidate seen while its tokens still arrive (a delta drawn, its CandidateDone not yet)
  const streaming = await page.waitForSelector(".candidate.streaming", { timeout: 30000 });
  const partial = await streaming.evaluate((c) => c.querySelector(".text").textContent);
  // the stand-in decoder holds its streams half way until told a streaming candidate was seen
  if (process.env.MESH_SEEN_URL) {
    await fetch(process.env.MESH_SEEN_URL);
  }
  await page.waitForSelector(".turn[data-done=true]", { timeout: 60000 });
  const result = await page.evaluate(() => ({
    evidence: [...document.querySelectorAll(".card")].map((c) => ({
      title: c.querySelector(".title")?.textContent, marks: c.querySelectorAll("mark").length })),
    candidates: [...document.querySelectorAll(".candidate")].map((c) => ({
      origin: c.querySelector(".origin").textContent, text: c.querySelector(".text").textContent,
      reward: c.querySelector(".reward").textContent, winner: c.classList.contains("winner") })),
    answer: document.querySelector(".answer-text").textContent,
    answerVisible: !document.querySelector(".answer").hidden,
    stages: [...document.querySelectorAll(".stages li")].map((l) => l.textContent),
    error: document.querySelector("#error").hidden ? null : document.querySelector("#error").textContent,
    horizontalOverflow: document.documentElement.scrollWidth > window.innerWidth,
  }));
  result.partialWhileStreaming = partial;
  result.consoleErrors = consoleErrors;
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
