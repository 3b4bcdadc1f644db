// The demo site's header, shared by its pages.
const pages = [
  ['/', 'Home (bubble)'],
  ['/inline.html', 'Help page (inline)'],
  ['/theming.html', 'Theming'],
  ['/tools.html', 'Page tools'],
  ['/plain.html', 'Plain HTML'],
  ['/react19/', 'React 19 app'],
  ['/vue/', 'Vue 3 app'],
];
const header = document.querySelector('.site-header');
const brand = document.createElement('strong');
brand.textContent = 'Acme Outdoor';
const nav = document.createElement('nav');
for (const [href, label] of pages) {
  const link = document.createElement('a');
  link.href = href;
  link.textContent = label;
  if (href === location.pathname) link.setAttribute('aria-current', 'page');
  nav.append(link);
}
header.append(brand, nav);
