// Behaviour the templates ask for with data attributes, so that no page needs an inline script
// or an on…= handler (the Content-Security-Policy runs only this site's script files).
//   <select data-submit-on-change>  submits its form when the choice changes;
//   <a href="…" data-history-back>  goes back in the history (the href is the fallback).
"use strict";

document.addEventListener("change", (event) => {
  const field = event.target.closest && event.target.closest("[data-submit-on-change]");
  if (field && field.form) {
    field.form.submit();
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[data-history-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
