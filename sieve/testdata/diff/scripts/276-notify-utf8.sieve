# percent-encoded UTF-8 in the subject and body (RFC 6068 §2) and a UTF-8 :message (SV-56)
require ["enotify"];
notify "mailto:a@example.org?subject=Gr%C3%BC%C3%9Fe&body=%C3%BC";
