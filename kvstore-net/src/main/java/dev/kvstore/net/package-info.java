package dev.kvstore.net;
