# Selaras: page text in Bahasa Indonesia (the default). Keys are grouped per page
# (page-part-name); en/main.ftl has exactly the same keys (tested).

## base.html: header, menu, footer
base-skip = Lewati ke isi
base-brand = Sistem Layanan dan Rujukan Terpadu
base-menu = Menu utama
base-account = Akun
base-language = Bahasa
base-nav-search = Cari
base-nav-cases = Kasus
base-nav-dashboard = Dasbor
base-nav-indicators = Indikator
base-nav-programs = Program
base-nav-eligibility = Kelayakan
base-sign-out = Keluar
base-status = Cek status kasus
base-regions-data = data wilayah: idn-area-data (ODbL)
base-national = Nasional

## errors and messages
message-home = Kembali ke beranda
message-not-found = Tidak ditemukan
message-forbidden = Tidak diizinkan
message-unprocessable = Tidak dapat diproses
message-page-not-found = Halaman tidak ditemukan.

## login.html
login-title = Masuk
login-username = Nama pengguna
login-password = Kata sandi
login-submit = Masuk
login-expired = Formulir kedaluwarsa; silakan coba lagi.
login-wrong = Nama pengguna atau kata sandi salah.

## search.html
search-title = Cari rumah tangga
search-intro = Dengan NIK, nomor KK (16 angka) atau nama, di wilayah { $scope }.
search-q = NIK / No. KK / nama
search-submit = Cari
search-none = Tidak ada rumah tangga yang cocok di wilayah Anda.
search-register = Daftarkan rumah tangga baru
search-results = { $n } hasil
search-col-household = Rumah tangga
search-col-head = Kepala
search-col-match = Cocok
search-col-members = Anggota
search-col-region = Wilayah
search-unregistered = Keluarga belum terdaftar?
search-record-registration = Catat pendaftaran baru
search-cases-visits = Kasus dan kunjungan
search-no-personal = Peran Anda tidak dapat melihat data perorangan; gunakan halaman pemantauan.
search-too-short = Ketik sedikitnya 3 huruf.

## household.html
hh-title = Rumah tangga
hh-exit = Keluar
hh-version = Versi
hh-since = sejak
hh-by = oleh
hh-by-col = Oleh
hh-open-cases = Kasus terbuka
hh-no-open-cases = Tidak ada kasus terbuka.
hh-record-case = Catat kasus untuk rumah tangga ini
hh-visits = Kunjungan
hh-no-visits = Belum ada kunjungan tercatat.
hh-visit-date = Tanggal kunjungan
hh-visit-purpose = Tujuan
hh-visit-note = Catatan kunjungan
hh-visit-submit = Catat kunjungan
hh-ranking = Peringkat PMT
hh-why-score = Mengapa skor ini: sumbangan setiap variabel model
hh-col-variable = Variabel
hh-col-value = Nilai rumah tangga
hh-col-contribution = Sumbangan ke skor
hh-score-rounded = Skor (dibulatkan 6 desimal)
hh-editions = Riwayat edisi peringkat
hh-col-edition = Edisi
hh-col-model = Model
hh-col-data-as-of = Data per
hh-col-score = Skor
hh-col-decile-national = Desil nasional
hh-col-decile-province = Desil provinsi
hh-col-decile-regency = Desil kab/kota
hh-no-edition = Belum ada edisi peringkat yang memuat rumah tangga ini.
hh-programs = Program
hh-programs-caption = Kelayakan menurut aturan katalog program dan peringkat terbaru
hh-col-program = Program
hh-col-eligibility = Kelayakan
hh-col-enrolment = Kepesertaan
hh-col-quota = Kuota
hh-col-reason = Alasan
hh-members = Anggota rumah tangga
hh-col-kk = No. KK
hh-col-name = Nama
hh-col-relation = Hubungan
hh-col-sex = L/P
hh-col-birth-date = Tanggal lahir
hh-col-age = Umur
hh-col-education = Pendidikan
hh-col-working = Bekerja
hh-housing = Perumahan
hh-assets = Aset
hh-history = Riwayat versi
hh-col-subject = Subjek
hh-col-valid-from = Berlaku sejak
hh-col-valid-to = Sampai
hh-col-changed = Isian berubah

## shared by case lists
case-due = tenggat

## status.html (public, no sign-in)
status-title = Status kasus
status-intro = Masukkan nomor kasus dari surat atau pesan SLRT dan NIK salah satu anggota keluarga.
status-case-number = Nomor kasus
status-submit = Lihat status
status-next-step = Langkah berikutnya
case-escalated-to = eskalasi ke

## cases.html
cases-title = Kasus SLRT
cases-intro = Pengaduan, kebutuhan program, perubahan data, dan pendaftaran baru di wilayah Anda.
cases-new = Catat kasus baru
cases-queue = Perlu tindakan Anda
cases-queue-empty = Tidak ada kasus yang menunggu tindakan Anda.
cases-overdue = Lewat tenggat dan eskalasi
cases-overdue-empty = Tidak ada kasus yang lewat tenggat.
cases-my-visits = Kunjungan saya
cases-my-visits-empty = Belum ada kunjungan tercatat. Catat kunjungan dari halaman rumah tangga.
cases-all = Semua kasus
cases-filter-status = Status
cases-filter-any = semua
cases-filter-kind = Jenis
cases-filter-region = Wilayah
cases-filter-region-code = kode wilayah
cases-filter-submit = Saring
cases-download = Unduh
cases-download-visits = kunjungan
cases-none = Belum ada kasus.
cases-previous = Sebelumnya
cases-next = Berikutnya
