// "Xử lý": the leader drags the signature box on the attestation page, or moves it with the arrow keys. The box's
// place is written to the form in PDF points from the page's lower-left corner (placementX/placementY, with the
// radio "custom"); a preset moves the box there. Without JavaScript the page shows only the presets.
(function () {
  if (window.__signaturePlacement) return;
  window.__signaturePlacement = true;

  function num(el, name) { return Number(el.getAttribute('data-' + name)); }
  function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }
  function round2(v) { return Math.round(v * 100) / 100; }

  function setup(fs) {
    if (fs.__placementReady) return;
    fs.__placementReady = true;
    var sheet = fs.querySelector('[data-placement-sheet]');
    var img = fs.querySelector('[data-placement-image]');
    var box = fs.querySelector('[data-placement-box]');
    var xIn = fs.querySelector('[data-placement-x]');
    var yIn = fs.querySelector('[data-placement-y]');
    var readout = fs.querySelector('[data-placement-readout]');
    var customLabel = fs.querySelector('[data-placement-custom]');
    var customRadio = customLabel && customLabel.querySelector('input');
    if (!sheet || !img || !box || !xIn || !yIn) return;
    var W = num(fs, 'sheet-width');
    var H = num(fs, 'sheet-height');
    var bw = num(fs, 'box-width');
    var bh = num(fs, 'box-height');
    var lim = { x0: num(fs, 'min-x'), x1: num(fs, 'max-x'), y0: num(fs, 'min-y'), y1: num(fs, 'max-y') };
    var pos = { x: Number(xIn.value), y: Number(yIn.value) };
    var checked = fs.querySelector('input[name=placement]:checked');
    if (checked && checked.value !== 'custom') pos = { x: Number(checked.getAttribute('data-x')), y: Number(checked.getAttribute('data-y')) };
    sheet.hidden = false;

    function scale() { return img.clientWidth / W; }
    function draw() {
      var s = scale();
      if (!s) return;
      box.style.setProperty('--scale', String(s));
      box.style.width = bw * s + 'px';
      box.style.height = bh * s + 'px';
      box.style.left = pos.x * s + 'px';
      box.style.top = (H - pos.y - bh) * s + 'px';
      if (readout) readout.textContent = 'Khung chữ ký: x ' + pos.x + ', y ' + pos.y + ' điểm (tính từ góc dưới bên trái của trang).';
    }
    function moveTo(x, y, preset) {
      pos = { x: round2(clamp(x, lim.x0, lim.x1)), y: round2(clamp(y, lim.y0, lim.y1)) };
      if (!preset) {
        xIn.value = pos.x;
        yIn.value = pos.y;
        if (customLabel && customRadio) {
          customLabel.hidden = false;
          customRadio.checked = true;
          customLabel.lastChild.textContent = ' Vị trí đã kéo thả (x ' + pos.x + ', y ' + pos.y + ' điểm)';
        }
      }
      draw();
    }

    img.addEventListener('error', function () {
      sheet.hidden = true;
      if (readout) readout.textContent = 'Chưa hiển thị được trang lời chứng; vui lòng chọn một vị trí có sẵn bên dưới.';
    });
    if (img.complete && img.naturalWidth) draw(); else img.addEventListener('load', draw);
    // Whenever the picture's size changes (the window, a stylesheet arriving late): the box follows its scale.
    if (window.ResizeObserver) new ResizeObserver(draw).observe(img); else window.addEventListener('resize', draw);

    fs.addEventListener('change', function (e) {
      var r = e.target;
      if (r && r.name === 'placement' && r.checked && r.value !== 'custom') moveTo(Number(r.getAttribute('data-x')), Number(r.getAttribute('data-y')), true);
      if (r && r.name === 'placement' && r.checked && r.value === 'custom') moveTo(Number(xIn.value), Number(yIn.value), false);
    });

    box.addEventListener('pointerdown', function (e) {
      if (e.button !== 0) return;
      e.preventDefault();
      box.focus();
      box.setPointerCapture(e.pointerId);
      var s = scale();
      var start = { cx: e.clientX, cy: e.clientY, x: pos.x, y: pos.y };
      function move(ev) { moveTo(start.x + (ev.clientX - start.cx) / s, start.y - (ev.clientY - start.cy) / s, false); }
      function up() {
        box.removeEventListener('pointermove', move);
        box.removeEventListener('pointerup', up);
        box.removeEventListener('pointercancel', up);
      }
      box.addEventListener('pointermove', move);
      box.addEventListener('pointerup', up);
      box.addEventListener('pointercancel', up);
    });

    // Arrow keys move 2 points (Shift: 20); up is up on the page.
    box.addEventListener('keydown', function (e) {
      var step = e.shiftKey ? 20 : 2;
      var d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[e.key];
      if (!d) return;
      e.preventDefault();
      moveTo(pos.x + d[0], pos.y + d[1], false);
    });
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches('[data-placement]')) setup(scope);
    scope.querySelectorAll('[data-placement]').forEach(setup);
  }
  document.addEventListener('htmx:load', function (e) { init(e.target); });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { init(document); });
  else init(document);
})();
