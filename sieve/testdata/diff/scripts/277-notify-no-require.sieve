# notify without require "enotify" is unknown (SV-02)
notify "mailto:a@example.org";
