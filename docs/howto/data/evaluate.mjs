// Evaluate two communities with a running `cssp serve`, and print what falls short.
// Run: node evaluate.mjs [http://127.0.0.1:8000]   (Node.js 18 or newer: fetch is built in)
const base = process.argv[2] ?? "http://127.0.0.1:8000";

const request = {
  plan: "fyp14",
  by: "county",
  communities: [
    {
      code: "330106002001",
      households: 1200,
      population: 3600,
      facilities: [{ kind: "comprehensive", floor_area: "420平方米", activity_area: "260 m^2" }],
      staff: { community_workers: 7, disaster_information_officers: 1 },
    },
    {
      code: "330106002002",
      households: 1500,
      facilities: [{ kind: "comprehensive", floor_area: 380 }],
    },
  ],
};

const response = await fetch(`${base}/v1/evaluate`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(request),
});
if (!response.ok) {
  // A problem document (RFC 9457): every bad value, with a JSON Pointer to it.
  const problem = await response.json();
  console.error(`${problem.status} ${problem.title}: ${problem.detail}`);
  for (const error of problem.errors) console.error(`  ${error.pointer}: ${error.detail}`);
  process.exit(1);
}
const report = await response.json();
for (const region of report.regions) {
  for (const finding of region.findings) {
    if (finding.status === "not_met") console.log(`${region.code} ${finding.explanation.en}`);
  }
}
for (const entry of report.communities) {
  const failing = entry.findings.filter((finding) => finding.status === "not_met");
  console.log(`${entry.community.code}: ${failing.length} targets not met`);
}
