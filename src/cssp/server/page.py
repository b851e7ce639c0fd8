"""The service's own docs page (``/docs``): self-contained, so it works offline.

Provincial platforms often run without the internet, where Swagger UI (served
at ``/docs/swagger``) cannot load its scripts from a CDN. This page needs
nothing but the service: the endpoints and their descriptions, read from the
service's OpenAPI document, links to the schemas, and a form that sends an
evaluation request and shows the answer. Inline CSS and a few lines of
script; no external reference of any kind.
"""

from __future__ import annotations

import html
import json
from typing import Any, Final

__all__ = ["docs_page"]

_EXAMPLE: Final = {
    "plan": "fyp14",
    "by": "county",
    "communities": [
        {
            "code": "330106002001",
            "households": 1200,
            "population": 3600,
            "facilities": [
                {"kind": "comprehensive", "floor_area": "420平方米", "activity_area": "260 m^2"}
            ],
            "staff": {"community_workers": 7, "disaster_information_officers": 1},
        }
    ],
}

_STYLE: Final = """
body{font:15px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:60rem;
padding:0 1rem;color:#1d2733}
h1{font-size:1.6rem;margin-bottom:0}code,pre,textarea{font:13px/1.4 ui-monospace,monospace}
table{border-collapse:collapse;width:100%;margin:1rem 0}
td,th{border-bottom:1px solid #d8dee6;padding:.4rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f5f8}.method{font-weight:700;color:#0b6b3a}
textarea{width:100%;height:16rem;box-sizing:border-box}
pre{background:#f6f8fa;padding:.8rem;overflow:auto;max-height:30rem}
button{font-size:1rem;padding:.3rem 1rem;margin:.5rem 0}.lede{color:#4a5868}
"""

_SCRIPT: Final = """
document.getElementById("send").addEventListener("click", async () => {
  const out = document.getElementById("answer");
  out.textContent = "…";
  try {
    const response = await fetch("/v1/evaluate", {
      method: "POST",
      headers: {"content-type": "application/json"},
      body: document.getElementById("body").value,
    });
    const text = await response.text();
    const kind = response.headers.get("content-type");
    out.textContent = response.status + " " + kind + "\\n\\n" + text;
  } catch (error) {
    out.textContent = String(error);
  }
});
"""


def docs_page(openapi: dict[str, Any], schemas: tuple[str, ...]) -> bytes:
    """The page, for the service described by ``openapi`` (its OpenAPI document).

    :param openapi: the document ``/openapi.json`` serves.
    :param schemas: the names of the schemas ``/v1/schemas/NAME`` serves.
    """
    esc = html.escape
    info = openapi.get("info", {})
    rows = []
    for path, item in sorted(openapi.get("paths", {}).items()):
        for method, operation in sorted(item.items()):
            if not isinstance(operation, dict):
                continue
            link = f'<a href="{esc(path)}">{esc(path)}</a>' if method == "get" else esc(path)
            if "{" in path:
                link = esc(path)
            summary = esc(operation.get("summary", ""))
            description = esc(operation.get("description", ""))
            rows.append(
                f'<tr><td class="method">{esc(method.upper())}</td><td><code>{link}</code></td>'
                f"<td>{summary}<br><span class=lede>{description}</span></td></tr>"
            )
    schema_links = ", ".join(
        f'<a href="/v1/schemas/{esc(name)}"><code>{esc(name)}</code></a>' for name in schemas
    )
    example = esc(json.dumps(_EXAMPLE, ensure_ascii=False, indent=2))
    page = f"""<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(str(info.get("title", "cssp")))} — API</title><style>{_STYLE}</style></head>
<body>
<h1>cssp 城乡社区服务体系评估服务</h1>
<p class="lede">{esc(str(info.get("description", "")))}
Version {esc(str(info.get("version", "")))}.</p>
<p>The description: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1).
Schemas (JSON Schema 2020-12): {schema_links}.
Swagger UI, where this browser reaches the internet: <a href="/docs/swagger">/docs/swagger</a>.</p>
<h2>Endpoints</h2>
<table><tr><th>method</th><th>path</th><th>what it does</th></tr>
{"".join(rows)}
</table>
<h2>Try it: <code>POST /v1/evaluate</code></h2>
<p>Edit the request and send it; the answer is what <code>cssp evaluate --format json</code>
prints for the same communities, or a problem document listing every bad value.</p>
<textarea id="body" spellcheck="false">{example}</textarea>
<button id="send" type="button">Send 发送</button>
<pre id="answer"></pre>
<script>{_SCRIPT}</script>
</body></html>
"""
    return page.encode()
