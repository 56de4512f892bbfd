// Upload progress for scans (htmx reports XHR upload progress), and a guard against double submits.
document.addEventListener('htmx:xhr:progress', function (e) {
  // Only a form's own submission uploads; a button's htmx request inside the form (account search) does not.
  var form = e.target;
  if (!form || form.tagName !== 'FORM') return;
  var bar = form.querySelector('progress');
  if (!bar || !e.detail.lengthComputable) return;
  bar.hidden = false;
  bar.value = Math.round((e.detail.loaded / e.detail.total) * 100);
  var text = document.getElementById('upload-progress-text');
  if (text) text.textContent = 'Đang tải lên: ' + bar.value + '%';
});

// A <select data-autosubmit> submits its form when changed (a button in <noscript> does it without JavaScript).
document.addEventListener('change', function (e) {
  var select = e.target;
  if (!select || !select.matches || !select.matches('select[data-autosubmit]') || !select.form) return;
  if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
});
