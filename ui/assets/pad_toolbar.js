// The pad's controls: large, labelled buttons in the page's language for what a learner needs
// (undo, redo, clear), below the pad. The canvas package's own toolbar is hidden: its icons are
// small, its tooltips English, its "Edit" toggle starts a mode in which strokes move the ink and
// nothing is drawn, and its "update" arrow does nothing here (the app answers every stroke).
// Our buttons press the package's own undo, redo and reset, so the package keeps its history and
// tells the app after each, as before. The pad renders in a shadow root that page CSS cannot
// reach: the rules and the buttons are added there. window.__padLabels holds the labels; the page
// sets it before this script runs, again whenever the language changes.
(() => {
  const ACTIONS = [  // our button -> the package's button (its English aria-label) and icon
    ['undo', 'Undo', '↶'],
    ['redo', 'Redo', '↷'],
    ['clear', 'Reset canvas & history', '✕'],
  ];
  const RULE = `
    .dc-toolbar { display: none !important; }
    .pad-controls { display: flex; gap: .5rem; padding-top: .5rem; flex-wrap: wrap; }
    .pad-controls button {
      min-height: 44px; min-width: 44px; padding: .4rem .75rem; font: inherit; font-size: 1rem;
      border-radius: .5rem; cursor: pointer; display: inline-flex; align-items: center; gap: .4rem;
      border: 1px solid rgba(49, 51, 63, .25); background: var(--st-background-color, #fff);
      color: var(--st-text-color, #31333f);
    }
    .pad-controls button:hover:not(:disabled) { border-color: #ff4b4b; color: #ff4b4b; }
    .pad-controls button:disabled { opacity: .45; cursor: default; }
    .pad-controls .icon { font-size: 1.25rem; line-height: 1; }`;

  const labels = () => window.__padLabels || {undo: 'Undo', redo: 'Redo', clear: 'Clear'};

  const theirs = (root, name) => root.querySelector(`.dc-toolbar button[aria-label="${name}"]`);

  const sync = (root) => {  // our buttons follow the package's: enabled, and in the page's words
    const bar = root.querySelector('.pad-controls');
    if (!bar) return;
    for (const [action, name] of ACTIONS) {
      const ours = bar.querySelector(`[data-action="${action}"]`);
      const original = theirs(root, name);
      const disabled = !original || original.disabled;
      const text = ours.querySelector('.text');
      // Only what differs: each change is itself a mutation the observer hears.
      if (ours.disabled !== disabled) ours.disabled = disabled;
      if (text.textContent !== labels()[action]) text.textContent = labels()[action];
    }
  };

  const patch = (root) => {
    if (!root.querySelector('.dc-toolbar')) return;
    if (!root.querySelector('style[data-pad-fix]')) {
      const style = document.createElement('style');
      style.dataset.padFix = '1';
      style.textContent = RULE;
      root.appendChild(style);
    }
    if (!root.querySelector('.pad-controls')) {
      const bar = document.createElement('div');
      bar.className = 'pad-controls';
      for (const [action, name, icon] of ACTIONS) {
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.action = action;
        const mark = document.createElement('span');  // (no markup in this script: the page's
        mark.className = 'icon';                        // sanitizer drops a script holding any)
        mark.setAttribute('aria-hidden', 'true');
        mark.textContent = icon;
        const text = document.createElement('span');
        text.className = 'text';
        button.append(mark, text);
        button.addEventListener('click', () => {
          const original = theirs(root, name);
          if (original && !original.disabled) original.click();
        });
        bar.appendChild(button);
      }
      root.appendChild(bar);  // after the package's own tree: nothing of React's to disturb
    }
    sync(root);
  };

  const hosts = () => [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')];
  const roots = () => hosts().map((host) => host.shadowRoot).filter(Boolean);

  if (window.__padControls) {  // loaded before: only the words may have changed
    roots().forEach(patch);
    return;
  }
  window.__padControls = true;
  // Changes inside a shadow root are invisible to an observer of the page: watch each root too.
  const watch = (root) => {
    if (root.__padWatched) return;
    root.__padWatched = true;
    new MutationObserver(() => patch(root)).observe(root, {
      childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'],
    });
    patch(root);
  };
  // A pad's host can enter the page a moment before its shadow root is attached, and attaching
  // one is no change the page's observer hears: until every host has its root, look again on
  // each frame (at most WAIT_FRAMES), so that the package's toolbar is never shown, not even for
  // the seconds a slow phone may take to change the page again.
  const WAIT_FRAMES = 600;
  let waiting = false;
  const scan = () => {
    roots().forEach(watch);
    if (waiting || hosts().every((host) => host.shadowRoot)) return;
    waiting = true;
    let frames = 0;
    const again = () => {
      roots().forEach(watch);
      frames += 1;
      waiting = hosts().some((host) => !host.shadowRoot) && frames !== WAIT_FRAMES;
      if (waiting) requestAnimationFrame(again);
    };
    requestAnimationFrame(again);
  };
  new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
  scan();
})();
