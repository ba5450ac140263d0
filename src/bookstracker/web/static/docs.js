"use strict";
(function () {
  const main = document.getElementById("api");
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  fetch("openapi.json").then((r) => r.json()).then((spec) => {
    main.textContent = "";
    main.appendChild(el("p", "muted", spec.info.description));
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const box = el("section", "panel op");
        const title = el("h2");
        title.appendChild(el("span", "method method-" + method, method.toUpperCase()));
        title.appendChild(document.createTextNode(" " + path));
        if (op.security) title.appendChild(el("span", "badge", "admin token"));
        box.appendChild(title);
        box.appendChild(el("p", "", op.summary || ""));
        if (op.parameters && op.parameters.length) {
          const list = el("ul");
          for (const p of op.parameters) {
            const s = p.schema || {};
            list.appendChild(el("li", "", `${p.name} (${p.in}${p.required ? ", required" : ""}): ${s.type || ""}${p.description ? " — " + p.description : ""}`));
          }
          box.appendChild(list);
        }
        if (op.requestBody) {
          const kinds = Object.keys(op.requestBody.content).join(", ");
          const schema = JSON.stringify(Object.values(op.requestBody.content)[0].schema);
          box.appendChild(el("p", "muted", "body (" + kinds + "): " + schema));
        }
        const codes = el("p", "codes");
        for (const [code, answer] of Object.entries(op.responses)) {
          codes.appendChild(el("span", "code code-" + code[0], code));
          codes.appendChild(document.createTextNode(" " + answer.description + "  "));
        }
        box.appendChild(codes);
        main.appendChild(box);
      }
    }
  }).catch(() => { main.textContent = "openapi.json could not be read."; });
})();
