# i;ascii-numeric: leading digits, non-digits equal each other and exceed numbers (SV-06, SV-07)
require ["fileinto", "copy", "comparator-i;ascii-numeric"];
if header :comparator "i;ascii-numeric" :is "x-spam-score" "10" { fileinto :copy "leading-zeros"; }
if header :comparator "i;ascii-numeric" :is "x-count" "42" { fileinto :copy "leading-digits"; }
if header :comparator "i;ascii-numeric" :is "x-none" "xyz" { fileinto :copy "nondigits-equal"; }
if header :comparator "i;ascii-numeric" :is "x-neg" "5" { fileinto :copy "minus-not-digit"; }
if header :comparator "i;ascii-numeric" :is "x-big" "123456789012345678901234567890" { fileinto :copy "big"; }
if header :comparator "i;ascii-numeric" :is "x-zero" "000" { fileinto :copy "zero"; }
if header :comparator "i;ascii-numeric" :is "x-empty-num" "abc" { fileinto :copy "empty-is-nondigit"; }
