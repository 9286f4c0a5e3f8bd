// An enhancement only: every page works without it. A form sent once is not
// sent twice by an impatient second tap on a slow line.
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (form.getAttribute('data-sent')) {
    event.preventDefault();
    return;
  }
  form.setAttribute('data-sent', '1');
  form.setAttribute('aria-busy', 'true');
});
