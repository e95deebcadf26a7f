// Avatars: remove a picture that did not load (no Gravatar for the address, a provider picture gone, offline, blocked),
// so the initials underneath show without a broken-image mark. Without JavaScript the initials still
// show; only the browser's small broken-image mark may sit on top.
document.querySelectorAll(".avatar--photo img").forEach(function (img) {
  function drop() { img.remove(); }
  if (img.complete && img.naturalWidth === 0) drop();
  else img.addEventListener("error", drop);
});
