/**
 * The seed's `SubComponent2` page (docs: shared seed, "Server side boilerplate"), with React
 * taken out and its frame handling kept line for line: the serial from `slice(-18)`, the
 * `0123` check, one <img> per serial, a base64 data URL per frame, a new frame only when
 * the last one finished loading. Served by a test-only route so it runs under the hub's CSP.
 */

export const SEED_PAGE_HTML = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Multi Camera Demo</title></head>
<body><div id="root"></div><script src="/seed.js"></script></body></html>`;

export const SEED_PAGE_JS = `"use strict";
(function SubComponent2() {
  const root = document.getElementById("root");
  const wsUrl = "wss://" + window.location.host + "/ws";
  const ws = new WebSocket(wsUrl);
  ws.binaryType = "arraybuffer";
  const imgref = [];
  const serial = [];
  const h = document.createElement("h2");
  h.textContent = window.location.host;
  root.appendChild(h);
  const title = document.createElement("h2");
  title.textContent = "Multi Camera Demo";
  root.appendChild(title);
  window.seedStats = { frames: 0, updates: 0, errors: 0 };

  ws.onmessage = (ev) => {
    if (ev.data) {
      window.seedStats.frames++;
      const tserial = String.fromCharCode(...new Uint8Array(ev.data.slice(-18)));
      if (tserial.slice(0, 4) === "0123") {
        if (!serial.some((e) => e === tserial)) {
          serial.push(tserial);
          // React's render of the new <div><img/><h2/></div>, done by hand.
          const div = document.createElement("div");
          const img = new Image();
          img.dataset.serial = tserial;
          img.onerror = () => window.seedStats.errors++;
          const cap = document.createElement("h2");
          cap.textContent = "CAMERA" + (serial.length - 1) + " " + tserial;
          div.appendChild(img);
          div.appendChild(cap);
          root.appendChild(div);
          imgref.push(img);
        }
        const idx = serial.indexOf(tserial);
        const cref = imgref[idx];
        if (cref && cref.complete) {
          window.seedStats.updates++;
          cref.src = "data:image/jpg;base64," +
            window.btoa(String.fromCharCode(...new Uint8Array(ev.data.slice(0, -18))));
        }
      }
    }
  };
})();
`;
