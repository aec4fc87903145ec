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

## case.html
case-back = Kasus
case-overdue = lewat tenggat
case-category = Kategori
case-description = Uraian
case-household = Rumah tangga
case-unregistered = belum terdaftar
case-region = Wilayah
case-channel = Saluran
case-contact = Telepon keluarga
case-recorded = Dicatat
case-updated = Terakhir berubah
case-due-at = Tenggat
case-referred-to = Dirujuk ke
case-level = tingkat
case-applied-change = Perubahan basis data
case-change-number = nomor
case-letter = Unduh surat rujukan (PDF)
case-linked = Sudah terdaftar
case-linked-intro = Orang berikut sudah ada di basis data; pendaftaran akan menautkan, bukan menyalin.
case-proposed = Data usulan
case-member = Anggota { $n }
case-actions = Tindakan
case-note = Catatan
case-note-required = wajib untuk:
case-note-feedback = umpan balik kepada keluarga saat menutup
case-refer-program = Program tujuan rujukan
case-history = Riwayat
case-history-empty = Belum ada tindakan; kasus masih draf.
case-messages = Kabar kepada keluarga
case-messages-empty = Belum ada pesan.
case-by-staff = (disampaikan petugas)
case-level-central = pusat
case-level-province = provinsi
case-level-regency = kabupaten/kota
case-level-non-government = non-pemerintah

## case_new.html and field.html
case-new-title = Catat kasus baru
case-new-kind = Jenis kasus
case-new-category-hint = untuk kebutuhan: program yang diminta
case-new-household-id = ID rumah tangga
case-new-or-nik = atau NIK anggota
case-new-registration-hint = Untuk pendaftaran rumah tangga baru, kosongkan keduanya dan isi data usulan di bawah.
case-new-description = Uraian keluhan atau kebutuhan
case-new-contact = Nomor telepon keluarga
case-new-contact-hint = untuk kabar status
case-new-proposed = Data usulan — untuk perubahan data dan pendaftaran baru
case-new-proposed-hint = Perubahan data: isi hanya yang berubah. Pendaftaran baru: isi semua yang bertanda *; pertanyaan ya/tidak yang kosong dianggap "tidak".
case-new-member-first = (isi NIK untuk menyertakan)
case-new-save = Simpan sebagai draf
case-new-household-data = Data rumah tangga
case-new-not-found = Rumah tangga atau NIK tidak ditemukan di wilayah Anda.
field-yes = ya
field-no = tidak
status-no-match = Nomor kasus dan NIK tidak cocok dengan kasus mana pun.
status-nik-digits = NIK harus 16 angka.
