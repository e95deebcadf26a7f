// Submits a form marked data-auto-submit as soon as the page loads (the button stays for browsers without JavaScript).
document.querySelectorAll("form[data-auto-submit]").forEach(function (form) { form.submit(); });
