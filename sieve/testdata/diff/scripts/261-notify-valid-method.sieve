# valid_notify_method: true only if every URI is supported and valid (SV-58)
require ["enotify", "fileinto"];
if valid_notify_method ["mailto:a@example.org", "mailto:b@example.org?subject=x"] { fileinto "T1"; }
if valid_notify_method ["mailto:a@example.org", "xmpp:b@example.org"] { fileinto "T2"; }
if valid_notify_method "mailto:a@%zz" { fileinto "T3"; }
if valid_notify_method "mailto:" { fileinto "T4"; }
if valid_notify_method "foo" { fileinto "T5"; }
if valid_notify_method "mailto:a@example.org?from=x" { fileinto "T6"; }
if valid_notify_method "mailto:notanaddress" { fileinto "T7"; }
if valid_notify_method "MailTo:a@example.org" { fileinto "T8"; }
