# discard then fileinto: fileinto still stores (SV-14, SV-19)
require "fileinto"; discard; fileinto "Later";
