# RFC 5435 §4 example 4: valid_notify_method with an unsupported http URI is false (SV-58)
require ["enotify", "fileinto"];
if not valid_notify_method ["mailto:",
        "http://gw.example.net/notify?test"] {
    stop;
}
fileinto "Notifiable";
