# fileinto :copy keeps the implicit keep (SV-54)
require ["fileinto", "copy"]; fileinto :copy "Work";
