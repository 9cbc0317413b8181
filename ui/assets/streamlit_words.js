// Words Streamlit writes itself, in the page's language: its "Page not found" dialog (an address
// with no page behind it) is English in its own code. window.__streamlitWords maps each English
// text to the page's words; the page sets it before this script runs, again when the language
// changes. Text nodes that match are replaced where they appear.
(() => {
  const replace = (root) => {
    const words = window.__streamlitWords || {};
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const said = words[node.textContent.trim()];
      if (said && node.textContent !== said) node.textContent = said;
    }
  };
  if (window.__streamlitWordsWatched) {
    replace(document.body);
    return;
  }
  window.__streamlitWordsWatched = true;
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const added of change.addedNodes) {
        if (added.nodeType === Node.ELEMENT_NODE) replace(added);
      }
    }
  }).observe(document.body, {childList: true, subtree: true});
  replace(document.body);
})();
