// Upload progress for scans (htmx reports XHR upload progress), and a guard against double submits.
document.addEventListener('htmx:xhr:progress', function (e) {
  var form = e.target.closest && e.target.closest('form');
  if (!form) return;
  var bar = form.querySelector('progress');
  if (!bar || !e.detail.lengthComputable) return;
  bar.hidden = false;
  bar.value = Math.round((e.detail.loaded / e.detail.total) * 100);
  var text = document.getElementById('upload-progress-text');
  if (text) text.textContent = 'Đang tải lên: ' + bar.value + '%';
});
