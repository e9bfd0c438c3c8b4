# ${hex:} without the extension is literal (SV-21)
require "fileinto"; fileinto "${hex:41}";
