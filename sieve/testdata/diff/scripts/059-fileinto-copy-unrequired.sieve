# :copy without require is a compile error (SV-02)
require "fileinto"; fileinto :copy "Work";
