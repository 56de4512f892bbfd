// Seal / signature screens: show a newly chosen PNG in the preview box before it is saved (the server still
// checks the file by content; without JavaScript the preview shows the saved image after LƯU LẠI).
(function () {
  if (window.__imagePreview) return;
  window.__imagePreview = true;
  document.addEventListener('change', function (e) {
    var input = e.target;
    if (!input || !input.matches || !input.matches('input[type=file][data-preview]')) return;
    var id = input.getAttribute('data-preview');
    var img = document.getElementById(id);
    var form = input.form;
    var note = form && form.querySelector('.pending-note');
    var file = input.files && input.files[0];
    if (!file) return;
    // No image saved yet: the page has a "Chưa có ..." placeholder and no <img>; make one for the preview.
    var box = document.querySelector('[data-image-box="' + id + '"]');
    if (!img && box) {
      img = document.createElement('img');
      img.id = id;
      img.alt = 'Hình ảnh mới chọn';
      box.insertBefore(img, box.firstChild);
    }
    if (!img) return;
    var max = Number(input.getAttribute('data-max-bytes') || 0);
    input.setCustomValidity(max && file.size > max ? 'Tệp ảnh vượt quá dung lượng cho phép (tối đa 2 MB).' : '');
    if (img.dataset.objectUrl) URL.revokeObjectURL(img.dataset.objectUrl);
    img.dataset.objectUrl = URL.createObjectURL(file);
    img.src = img.dataset.objectUrl;
    img.hidden = false;
    var placeholder = img.parentElement && img.parentElement.querySelector('.default-seal');
    if (placeholder) placeholder.hidden = true;
    var boxed = form && form.querySelector('.sig-lines.boxed');
    if (boxed) boxed.classList.remove('boxed');
    if (note) note.hidden = false;
  });
})();
