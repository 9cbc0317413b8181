// The canvas package's toolbar is an invisible overlay at the pad's top right until the pointer
// has hovered there for a moment: a stroke started there is lost, and when it shows it covers
// what is above the pad. The pad renders in a shadow root that page CSS cannot reach, so this
// script adds a rule there: the toolbar sits below the pad, always visible, never over it.
(() => {
  if (window.__padToolbarFix) return;
  window.__padToolbarFix = true;
  const RULE = `.dc-toolbar { position: static !important; opacity: 1 !important; transition: none !important;
                              padding: .25rem 0 0 0 !important; justify-content: flex-start !important; }`;
  const patch = (root) => {
    if (!root.querySelector('.dc-toolbar') || root.querySelector('style[data-pad-fix]')) return;
    const style = document.createElement('style');
    style.dataset.padFix = '1';
    style.textContent = RULE;
    root.appendChild(style);
  };
  // Changes inside a shadow root are invisible to an observer of the page: watch each root too.
  const watch = (host) => {
    const root = host.shadowRoot;
    if (!root || root.__padFixWatched) return;
    root.__padFixWatched = true;
    new MutationObserver(() => patch(root)).observe(root, {childList: true, subtree: true});
    patch(root);
  };
  const scan = () => document.querySelectorAll('[data-testid="stBidiComponentIsolated"]').forEach(watch);
  new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
  scan();
})();
