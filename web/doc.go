// Package web is zest's management web page and its JSON API: first-run
// setup, sign-in, the administrator's pages (users, aliases, domains and
// their DNS records, server status, backups) and every user's pages
// (password, app passwords, Sieve filter, vacation, mail client set-up),
// and the client autoconfiguration endpoints (Thunderbird autoconfig,
// Outlook autodiscover, Apple configuration profiles).
//
// Pages are rendered on the server with html/template; every asset is
// embedded in the binary, so the page works offline and needs no build
// step. The only JavaScript is the Sieve editor's live check. Every
// response carries a strict Content-Security-Policy (no inline script or
// style); sessions are HttpOnly, SameSite=Strict cookies (Secure under
// HTTPS) naming a session in the store; every state-changing request must
// carry the session's CSRF token, as a form field or an X-CSRF-Token
// header.
package web
