# ${name} without the variables extension is literal text (SV-46)
require "fileinto"; fileinto "${folder}";
